from onewindow.testing.browser import browser, phone_page

__all__ = ["browser", "phone_page"]
