"""The clingo programs, shipped as package data (see medaid_logic.resources)."""
