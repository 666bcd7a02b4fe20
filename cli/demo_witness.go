package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/sqlstore"
)

// demoWitnessName names the demo ombudsperson's witness.
const demoWitnessName = "ombudsperson.example.org/witness"

// demoWitness is the ombudsperson's witness of the demo. Its state
// directory is beside the keys directory (accord-demo.db.witness beside
// accord-demo.db.keys), made on first start; in a real partnership the
// oversight body keeps it on its own machine. At each start the demo
// signs a checkpoint and the witness checks and cosigns it in-process, as
// accord witness does over HTTP; the server takes its cosignatures.
type demoWitness struct {
	dir      string
	size     uint64
	refusal  error // the witness refused the latest checkpoint
	username string
}

func (a *app) demoWitness(ctx context.Context) (*demoWitness, error) {
	dir := strings.TrimSuffix(filepath.Clean(a.keys.Dir), ".keys") + ".witness"
	var st *witnessState
	if _, err := os.Stat(filepath.Join(dir, witnessKeyFile)); errors.Is(err, os.ErrNotExist) {
		vkey, err := os.ReadFile(filepath.Join(a.keys.Dir, "log.pub"))
		if err != nil {
			return nil, nil // the log key came from the environment: no demo witness
		}
		if st, err = initWitnessState(dir, demoWitnessName, string(vkey)); err != nil {
			return nil, err
		}
	} else if st, err = openWitnessState(dir); err != nil {
		return nil, err
	}
	w := &demoWitness{dir: dir, username: "c.achebe"}
	v, err := auditlog.NewCosignatureVerifier(st.key.VerifierKey())
	if err != nil {
		return nil, err
	}
	a.witnesses = append(a.witnesses, v)

	msg, err := a.db.SignCheckpoint(ctx, a.keys.Origin, a.keys.Signer)
	if err != nil {
		return nil, err
	}
	cp, cosigned, err := st.witness(msg, func(old, new uint64) ([][]byte, error) { return a.db.ConsistencyProof(ctx, old, new) }, a.env.Now())
	var refused *auditlog.WitnessError
	if errors.As(err, &refused) {
		// Say so and serve anyway: the demo shows a witness refusing too.
		w.refusal = err
		return w, nil
	}
	if err != nil {
		return nil, err
	}
	cs, err := auditlog.VerifyCosignatures(cosigned, a.witnesses[len(a.witnesses)-1:])
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if err := a.db.AddCosignature(ctx, sqlstore.Cosignature{Size: cp.Size, Witness: c.Witness, Line: c.Line, SignedAt: c.Time}); err != nil {
			return nil, err
		}
	}
	w.size = cp.Size
	return w, nil
}

func printDemoWitness(w io.Writer, url string, dw *demoWitness) {
	if dw == nil {
		return
	}
	if dw.refusal != nil {
		fmt.Fprintf(w, "The ombudsperson's witness REFUSED to cosign the audit log: %v\n", dw.refusal)
		fmt.Fprintf(w, "  (its state is in %s; it keeps the last checkpoint it cosigned, of a log this database no longer holds)\n\n", dw.dir)
		return
	}
	fmt.Fprintf(w, "The ombudsperson's witness (%s) has cosigned the latest checkpoint of the audit log (%d entries).\n", demoWitnessName, dw.size)
	fmt.Fprintf(w, "  Cosign again once the log has grown, as the ombudsperson would:\n")
	fmt.Fprintf(w, "    ACCORD_TOKEN=$%s accord witness --server %s --state %s --once\n", demo.TokenVar(dw.username), url, dw.dir)
	fmt.Fprintf(w, "  The cosignatures are on %s/audit/checkpoints and in GET %s/api/v1/audit/checkpoint.\n\n", url, url)
}
