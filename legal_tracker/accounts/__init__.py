"""Accounts: sign-in, API tokens, passwords."""
