// Package demodb gives tests the demo partnership loaded into a database.
//
// Loading the partnership (500 clients with their records, consents and
// history, each sealed and audited) is most of the time of a test that
// needs it, and under the race detector several seconds. On SQLite, the
// first test of a test binary loads it once into a template; every test
// after that gets its own copy of the template's database file and of the
// partnership as loaded, which takes milliseconds. The copy is the same
// database a load would have written (the load is deterministic at the
// fixed clock Now, apart from its random keys and the ids it gives the
// events and attachments of complaints), under the same keyring.
package demodb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// Now is the time the partnership is generated and loaded at.
var Now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// TokenTTL is how long the demo's API tokens live from Now.
const TokenTTL = 365 * 24 * time.Hour

var (
	hashesOnce sync.Once
	hashes     map[string]string // demo password → argon2id hash

	templateOnce sync.Once
	template     struct {
		file    []byte
		keyring []byte // sealing.Keyring.Marshal
		p       *demo.Partnership
		err     error
	}
)

// Generate returns the demo partnership (seed 1, at Now), not yet loaded.
func Generate() (*demo.Partnership, error) {
	return demo.Generate(demo.Options{Seed: 1, Now: Now})
}

// Load generates the partnership and loads it into db, whose clock must
// read Now: what SQLite copies, for any engine. Passwords are hashed with
// argon2id (each hash computed once per test binary), so staff can sign in.
func Load(ctx context.Context, db *sqlstore.DB) (*demo.Partnership, error) {
	p, err := Generate()
	if err != nil {
		return nil, err
	}
	hashesOnce.Do(func() {
		hashes = map[string]string{}
		for _, l := range p.Staff {
			hashes[l.Password] = credential.HashPassword(l.Password)
		}
	})
	err = db.Import(ctx, accord.Actor{StaffID: "system"}, "demo.load", func(im *sqlstore.Importer) error {
		return p.Load(im, func(pw string) string { return hashes[pw] }, TokenTTL)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// SQLite writes a SQLite database holding the loaded partnership to path
// (which must not exist yet), and returns the partnership as loaded and the
// keyring to open the database with (sqlstore.Options.Keyring). Each call
// returns a partnership and a keyring of its own.
func SQLite(t testing.TB, path string) (*demo.Partnership, *sealing.Keyring) {
	t.Helper()
	templateOnce.Do(buildTemplate)
	if template.err != nil {
		t.Fatalf("loading the demo partnership: %v", template.err)
	}
	if err := os.WriteFile(path, template.file, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := sealing.ParseKeyring(template.keyring)
	if err != nil {
		t.Fatal(err)
	}
	return deepCopy(template.p), k
}

// buildTemplate loads the partnership into a database of its own and keeps
// the file's bytes.
func buildTemplate() {
	t := &template
	dir, err := os.MkdirTemp("", "accord-demodb-")
	if err != nil {
		t.err = err
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "demo.db")
	k := sealing.GenerateKeyring()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{Keyring: k, Now: func() time.Time { return Now }})
	if err != nil {
		t.err = err
		return
	}
	t.p, t.err = Load(ctx, db)
	if err := db.Close(); t.err == nil {
		t.err = err
	}
	if t.err != nil {
		return
	}
	// Closing the last connection copies the write-ahead log into the file
	// and removes it: the file alone is the database.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.err = fmt.Errorf("the template's write-ahead log was left with %d bytes after closing", fi.Size())
		return
	}
	t.file, t.err = os.ReadFile(path)
	t.keyring = k.Marshal()
}

// deepCopy returns a copy of p that shares no slice, map or pointer with
// it, so that a test changing its partnership changes no other test's.
func deepCopy[T any](p *T) *T {
	c := copyValue(reflect.ValueOf(p))
	return c.Interface().(*T)
}

var timeType = reflect.TypeFor[time.Time]()

func copyValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(copyValue(v.Elem()))
		return c
	case reflect.Slice, reflect.Array:
		var c reflect.Value
		switch {
		case v.Kind() == reflect.Array:
			c = reflect.New(v.Type()).Elem()
		case v.IsNil():
			return v
		default:
			c = reflect.MakeSlice(v.Type(), v.Len(), v.Cap())
		}
		for i := range v.Len() {
			c.Index(i).Set(copyValue(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), copyValue(it.Value()))
		}
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(copyValue(v.Elem()))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		if v.Type() == timeType {
			return c // its location is shared and never changed
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				if refers(f.Type) {
					panic(fmt.Sprintf("demodb: cannot copy the unexported field %s of %s", f.Name, v.Type()))
				}
				continue
			}
			c.Field(i).Set(copyValue(v.Field(i)))
		}
		return c
	}
	return v
}

// refers reports whether a value of type t can refer to memory outside it.
func refers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return refers(t.Elem())
	case reflect.Struct:
		if t == timeType {
			return false
		}
		for i := range t.NumField() {
			if refers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
