"""Root conftest: its presence puts the repository root on ``sys.path`` under pytest, so that
tests import the test games as ``tests.games.two_phase`` / ``tests.games.three_player``."""
