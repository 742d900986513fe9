package transfer

// NeedsTemporaryAccount reports whether the new place opens a temporary
// pension account (临时基本养老保险缴费账户) rather than taking the
// relationship over: a man of 50 or more, or a woman of 40 or more,
// moving to a place that is not the household registration's (regions
// compared by city, the first four digits). docs/rules.md "Transfers".
func NeedsTemporaryAccount(male bool, age int, hukou, newRegion string) bool {
	limit := 40
	if male {
		limit = 50
	}
	return age >= limit && !sameCity(hukou, newRegion)
}

// PensionPlace says where the pension will be paid, on what is known here:
// the household registration's place when the new place is it; otherwise
// this place when the person has 10 years or more of contributions here;
// otherwise the household registration's place (where the contributions
// are finally gathered). docs/rules.md "Transfers".
func PensionPlace(hukou, newRegion string, monthsHere int) string {
	switch {
	case sameCity(hukou, newRegion):
		return "户籍所在地（转入地）：户籍在转入地，达到待遇领取条件时在转入地领取"
	case monthsHere >= 120:
		return "本地（转出地）：本地累计缴费满 10 年，转入地缴费不满 10 年时，回本地领取"
	default:
		return "户籍所在地：各地缴费均不满 10 年时，归集到户籍所在地领取"
	}
}

func sameCity(a, b string) bool { return len(a) >= 4 && len(b) >= 4 && a[:4] == b[:4] }
