package sqlstore

import (
	"context"

	"github.com/accord-project/accord/sealing"
)

// sealText seals free text about a client held by an organisation under
// that client's key, binding it to aad ("case/cas_…/title"). Empty text
// seals to nil.
func (db *DB) sealText(ctx context.Context, q querier, clientID, orgID, aad, text string) ([]byte, error) {
	if text == "" {
		return nil, nil
	}
	key, err := db.clientKey(ctx, q, clientID, orgID, true)
	if err != nil {
		return nil, err
	}
	return sealing.Seal(key, []byte(text), []byte("accord/"+aad))
}

// openText opens what sealText sealed.
func (db *DB) openText(ctx context.Context, q querier, clientID, orgID, aad string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	key, err := db.clientKey(ctx, q, clientID, orgID, false)
	if err != nil {
		return "", err
	}
	pt, err := sealing.Open(key, sealed, []byte("accord/"+aad))
	return string(pt), err
}

func sealSeal(key, plaintext []byte, aad string) ([]byte, error) {
	return sealing.Seal(key, plaintext, []byte("accord/"+aad))
}

func sealOpen(key, sealed []byte, aad string) ([]byte, error) {
	return sealing.Open(key, sealed, []byte("accord/"+aad))
}
