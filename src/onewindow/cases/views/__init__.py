"""Pages of the case flow: ``public`` (the progress page) and ``staff`` (a package: intake
workstation, department queue, case page, output desk, supervision board). ``cases.urls``
mounts them; no other app imports them."""
