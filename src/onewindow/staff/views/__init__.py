"""Pages of the staff shell: ``staff`` (sign-in, sign-out, the workstation home and moved
addresses). The shell has no public pages; ``staff.urls`` mounts these."""
