package sqlstore

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// jsonValue stores v as JSON text; nil slices become "[]".
func jsonValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sqlstore: encoding %T: %v", v, err)) // only domain types reach here
	}
	if string(b) == "null" {
		return "[]"
	}
	return string(b)
}

// jsonColumn scans a JSON text column into the value p points at.
type jsonColumn struct{ p any }

func asJSON(p any) jsonColumn { return jsonColumn{p} }

func (c jsonColumn) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case string:
		b = []byte(s)
	case []byte:
		b = s
	case nil:
		return nil
	default:
		return fmt.Errorf("sqlstore: cannot scan %T as JSON", src)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, c.p)
}

var _ driver.Valuer = (*jsonText)(nil)

// jsonText is a value that stores as JSON text.
type jsonText struct{ v any }

func (j *jsonText) Value() (driver.Value, error) { return jsonValue(j.v), nil }
