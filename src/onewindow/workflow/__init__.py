"""The workflow kernel: one way for every stateful work item to declare its states, moves and
events (``machine``), one mover with the one revision check (``mover``), and time limits with
e-supervision lights (``clock``). See docs/adr/0009-workflow-kernel.md.

Public modules: ``onewindow.workflow.machine``, ``.mover``, ``.clock``, ``.errors``,
``.models`` (abstract bases). Other apps import these, nothing else.
"""
