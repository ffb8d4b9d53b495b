"""Belgian eID (BELPIC) read natively: transport, files, parsing, integrity, PIN, and the
reader unit (`unit.EidReader`) with its PC/SC backend (`pcsc`), its simulated twin
(`simulated`), their one monitor (`monitor`) and the card connection's lifetime
(`card_session`)."""
