"""Tic-tac-toe (PettingZoo ``tictactoe_v3``): its card in the games table. The package holds the rest: the rules
(``task``), the training presets (``presets``), the observation decoder of ``predict`` (``decoder``) and the move
notation (``notation``; see :mod:`az_pz.adapters.games`)."""

from az_pz.adapters.games.card import GameCard

CARD = GameCard(name="tictactoe_v3", gym_id="az_pz/TicTacToe-v0",
                task="az_pz.adapters.games.tictactoe.task:TicTacToeTask")
