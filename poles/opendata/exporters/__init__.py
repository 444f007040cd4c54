"""Exporters of the programme's public data: plain functions over `poles.opendata.selectors`.

- `giving360.build()` : a 360Giving JSON data package (one grant per funder × beneficiary);
- `scdl.write()` : the French SCDL Subventions CSV;
- `datapackage.write()` : a Frictionless data package, one CSV per public table.
"""
