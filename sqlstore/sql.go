package sqlstore

import (
	"strconv"
	"strings"
)

func placeholder(i int) string { return "$" + strconv.Itoa(i) }

func joinComma(s []string) string { return strings.Join(s, ", ") }

func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}
