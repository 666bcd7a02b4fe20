package sqlstore

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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

// nullUSCol scans a nullable microsecond time.
type nullUSCol struct {
	v     int64
	valid bool
}

func (n *nullUSCol) Scan(src any) error {
	switch s := src.(type) {
	case nil:
		n.valid = false
	case int64:
		n.v, n.valid = s, true
	default:
		return fmt.Errorf("sqlstore: cannot scan %T as a time", src)
	}
	return nil
}

func (n nullUSCol) ptr() *time.Time {
	if !n.valid {
		return nil
	}
	t := fromUS(n.v)
	return &t
}

// atUS is a nullable time column as a time, zero when NULL.
func atUS(n nullUSCol) time.Time {
	if !n.valid {
		return time.Time{}
	}
	return fromUS(n.v)
}
