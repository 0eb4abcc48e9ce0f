"""A person's own account: sessions, passwords, single-use links, two-factor sign-in."""
