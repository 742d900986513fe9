-- Where the personal-account balance of a pension determination or a death
-- claim came from: the personal account itself ('account'), the balance
-- imported from the former system ('imported'), the clerk's entry from the
-- former system's data ('entered'), or none at all ('none').
ALTER TABLE pension_determinations ADD COLUMN balance_source TEXT NOT NULL DEFAULT 'imported';
ALTER TABLE death_claims ADD COLUMN balance_source TEXT NOT NULL DEFAULT 'imported';
