"""Perfect solvers of solved games, the yardstick of az_pz's strength (``docs/yardstick.md``).

``az_pz.solvers.connect_four``: exact scores of connect four positions and moves (Pascal Pons'
algorithm compiled with numba).
"""
