-- Why a bill carries its flags (bills.flags): e.g. an employer's bill paid
-- or declared late while an emergency accepts late business, flagged
-- late_accepted (疫情逾期受理), with the emergency and its legal basis.
ALTER TABLE bills ADD COLUMN flag_basis TEXT NOT NULL DEFAULT '';
