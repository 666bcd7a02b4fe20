package http_test

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// BenchmarkCaseTimeline serves a case timeline of 5,000 events over HTTP
// (authentication, the demographics decision and its audit entry, the
// query, JSON): the goal is 50 ms.
//
//	go test -run '^$' -bench CaseTimeline ./http/
func BenchmarkCaseTimeline(b *testing.B) {
	dsn := testdb.SQLite(b)
	srv := testserver.Start(b, dsn)
	legal := srv.Login("f.rahimi")
	client := srv.P.Scenarios[0].ClientID
	resp := srv.Do(b, testserver.Request{User: "j.okafor", Method: "POST", Path: "/api/v1/cases", Purpose: "LEGALAID",
		Body: `{"client_id":"` + client + `","title":"Long case","participants":[{"organization_id":"` + legal.OrganizationID + `","staff_id":"` + legal.ID + `","responsibility":"advice"}]}`})
	var cs struct {
		ID string `json:"id"`
	}
	resp.JSON(b, &cs)
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	tx, _ := raw.Begin()
	st, _ := tx.Prepare(`INSERT INTO case_events (case_id, at, kind, actor_id, object_id, category, detail) VALUES ($1, $2, $3, $4, $5, '', '')`)
	for i := range 4999 {
		st.Exec(cs.ID, time.Now().UnixMicro(), "task.created", legal.ID, fmt.Sprintf("tsk_%026d", i))
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	req := testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/cases/" + cs.ID + "/timeline", Purpose: "LEGALAID"}
	if r := srv.Do(b, req); r.Status != 200 || len(r.Body) < 5000*50 {
		b.Fatalf("timeline: %d, %d bytes", r.Status, len(r.Body))
	}
	b.ResetTimer()
	for range b.N {
		srv.Do(b, req)
	}
}
