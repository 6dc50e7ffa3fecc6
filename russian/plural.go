package russian

// Plural picks the Russian plural form for n: Plural(5, "событие",
// "события", "событий") is "событий".
func Plural(n int, one, few, many string) string {
	n100, n10 := n%100, n%10
	switch {
	case n100 >= 11 && n100 <= 14:
		return many
	case n10 == 1:
		return one
	case n10 >= 2 && n10 <= 4:
		return few
	}
	return many
}
