package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/sqlstore"
)

func TestCosignatures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		skey, vkey, err := auditlog.GenerateKey("accord.test/audit")
		if err != nil {
			t.Fatal(err)
		}
		signer, err := note.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		verifier, err := note.NewVerifier(vkey)
		if err != nil {
			t.Fatal(err)
		}
		first, err := fx.db.SignCheckpoint(ctx, signer.Name(), signer)
		if err != nil {
			t.Fatal(err)
		}
		fx.client("Ana")
		second, err := fx.db.SignCheckpoint(ctx, signer.Name(), signer)
		if err != nil {
			t.Fatal(err)
		}
		var cps []auditlog.Checkpoint
		for _, msg := range [][]byte{first, second} {
			c, _, err := auditlog.Open(msg, signer.Name(), note.VerifierList(verifier))
			if err != nil {
				t.Fatal(err)
			}
			cps = append(cps, c)
		}
		if cps[0].Size >= cps[1].Size {
			t.Fatalf("checkpoints of %d and %d entries", cps[0].Size, cps[1].Size)
		}
		if got, err := fx.db.CheckpointAt(ctx, cps[1].Size); err != nil || string(got) != string(second) {
			t.Errorf("CheckpointAt(%d) = %q, %v", cps[1].Size, got, err)
		}
		if _, err := fx.db.CheckpointAt(ctx, cps[1].Size+1); code(err) != accord.ENOTFOUND {
			t.Errorf("CheckpointAt(unsigned size) = %v, want not found", err)
		}

		one, oneV := witnessKey(t, "witness.example/one")
		two, twoV := witnessKey(t, "witness.example/two")
		at := t0.Add(time.Hour)
		cosign := func(k *auditlog.WitnessKey, c auditlog.Checkpoint, at time.Time) sqlstore.Cosignature {
			line, err := k.Cosign(c, at)
			if err != nil {
				t.Fatal(err)
			}
			return sqlstore.Cosignature{Size: c.Size, Witness: k.Name(), Line: line, SignedAt: at}
		}
		fx.now = at.Add(time.Minute)
		adds := []sqlstore.Cosignature{
			cosign(one, cps[0], at),
			cosign(one, cps[1], at.Add(time.Second)),
			cosign(two, cps[1], at.Add(2*time.Second)),
		}
		for _, c := range adds {
			if err := fx.db.AddCosignature(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		// An earlier cosignature of the same checkpoint is kept out; a
		// later one replaces it.
		if err := fx.db.AddCosignature(ctx, cosign(one, cps[0], at.Add(-time.Hour))); err != nil {
			t.Fatal(err)
		}
		later := cosign(two, cps[1], at.Add(time.Hour))
		if err := fx.db.AddCosignature(ctx, later); err != nil {
			t.Fatal(err)
		}
		adds[2] = later
		missing := cosign(one, auditlog.Checkpoint{Origin: signer.Name(), Size: cps[1].Size + 5, Hash: cps[1].Hash}, at)
		if err := fx.db.AddCosignature(ctx, missing); code(err) != accord.ENOTFOUND {
			t.Errorf("a cosignature of no stored checkpoint: %v, want not found", err)
		}

		got, err := fx.db.Cosignatures(ctx, 0, 1<<63)
		if err != nil {
			t.Fatal(err)
		}
		for i := range adds {
			adds[i].ReceivedAt = fx.now
			adds[i].SignedAt = adds[i].SignedAt.UTC()
		}
		want := []sqlstore.Cosignature{adds[1], adds[2], adds[0]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Cosignatures (-want +got):\n%s", diff)
		}
		if got, err := fx.db.Cosignatures(ctx, cps[0].Size, cps[0].Size); err != nil || len(got) != 1 || got[0].Size != cps[0].Size {
			t.Errorf("Cosignatures(%d, %d) = %v, %v", cps[0].Size, cps[0].Size, got, err)
		}

		// The stored lines, appended to the checkpoint, verify.
		cosigned := sqlstore.WithCosignatures(second, cps[1].Size, got)
		cs, err := auditlog.VerifyCosignatures(cosigned, []note.Verifier{oneV, twoV})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range cs {
			names = append(names, c.Witness)
		}
		if diff := cmp.Diff([]string{"witness.example/one", "witness.example/two"}, names); diff != "" {
			t.Errorf("cosigned by (-want +got):\n%s", diff)
		}
		if string(sqlstore.WithCosignatures(second, cps[1].Size+1, got)) != string(second) {
			t.Errorf("WithCosignatures added lines of another size")
		}
	})
}

func witnessKey(t *testing.T, name string) (*auditlog.WitnessKey, note.Verifier) {
	t.Helper()
	skey, vkey, err := auditlog.GenerateWitnessKey(name)
	if err != nil {
		t.Fatal(err)
	}
	k, err := auditlog.ParseWitnessKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auditlog.NewCosignatureVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return k, v
}
