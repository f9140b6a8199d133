"""Small AEC games of our own that exercise what the classic games do not:
two phases with different action spaces (``two_phase``) and three players with
per-seat, non-zero-sum rewards (``three_player``). Both pass PettingZoo's
``api_test`` and ``seed_test``; ``two_phase.env()`` and ``three_player.env()``
make them.
"""
