"""Pages of the catalogue: ``public`` (home, search, lists, item guide, power list) and
``staff`` (the workbook import and export under ``/staff/catalog/``). ``catalog.urls`` mounts
them; no other app imports them."""
