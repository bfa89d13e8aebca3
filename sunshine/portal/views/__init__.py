"""The parents' pages, one module per part of the journey."""
