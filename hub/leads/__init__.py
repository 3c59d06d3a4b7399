"""Lead practitioners: the caseload page, a child's lead page, appoint, hand over and end."""
