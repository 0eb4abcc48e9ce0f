"""The law as data: deadline rules (effective-dated) and the working-day calendar from tenants/legal."""
