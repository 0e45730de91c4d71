"""Every write of ratings: ``rate`` (a rating given, on any channel; defaults after the period)
and ``rectify`` (the bad-rating loop). Import the submodule you need."""
