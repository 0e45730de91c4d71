"""Every write of grid management, one module per part (``categories``: the categories
workbook and its data). Import the functions from their modules."""
