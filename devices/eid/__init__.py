"""Belgian eID (BELPIC) read natively over PC/SC: transport, files, parsing, integrity, PIN."""
