"""Chess (PettingZoo ``chess_v6``): its card in the games table. The package holds the rest: the rules (``task``,
``movegen``, ``rules``, ``tables``), the training presets (``presets``) and UCI/SAN moves <-> actions
(``notation``; see :mod:`az_pz.adapters.games`)."""

from az_pz.adapters.games.card import GameCard

CARD = GameCard(name="chess_v6", gym_id="az_pz/Chess-v0",
                task="az_pz.adapters.games.chess.task:ChessTask")
