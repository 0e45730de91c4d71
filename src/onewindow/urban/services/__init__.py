"""The grid case's moves after intake (立案 → 派遣 → 处置 → 反馈 → 核查 → 结案 and the side paths):
``common`` (the lock, the deadline of a stage, photos), ``flow`` (the supervision centre, the
command centre, the grid worker) and ``handling`` (the unit's moves and requests)."""
