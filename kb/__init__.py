"""The Turtle KB, shipped as package data (see medaid_logic.resources)."""
