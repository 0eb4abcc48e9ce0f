"""The people of a unit: who holds which role, invitations, deactivation (DESIGN §3)."""
