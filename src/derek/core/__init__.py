"""The shared kernel: database, errors, actors and permissions, accounts, audit, i18n, storage."""
