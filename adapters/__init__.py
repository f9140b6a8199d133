"""Adapters from PettingZoo environments to az_pz Tasks (shipped as ``az_pz.adapters``)."""
