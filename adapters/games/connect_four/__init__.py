"""Connect four (PettingZoo ``connect_four_v3``): its card in the games table. The package holds the rest: the
rules (``task``), the training presets (``presets``), the observation decoder of ``predict`` (``decoder``) and the
move notation (``notation``, columns; see :mod:`az_pz.adapters.games`)."""

from az_pz.adapters.games.card import GameCard

CARD = GameCard(name="connect_four_v3", gym_id="az_pz/ConnectFour-v0",
                task="az_pz.adapters.games.connect_four.task:ConnectFourTask")
