package http

import "net/http"

// routes is the one table of every endpoint. Routes that touch client data
// require an Accord-Purpose header (purposeOf); every route under /api/v1
// is described in openapi.json, and a test holds the two together.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /healthz", s.public(s.healthz))
	mux.Handle("GET /readyz", s.public(s.readyz))
	mux.Handle("GET /{$}", s.public(s.home))
	mux.Handle("GET /api/v1/openapi.json", s.public(s.openAPI))

	mux.Handle("POST /api/v1/sessions", s.public(s.signIn))
	mux.Handle("DELETE /api/v1/sessions/current", s.authed(s.signOut))
	mux.Handle("GET /api/v1/me", s.authed(s.me))

	mux.Handle("GET /api/v1/organizations", s.authed(s.listOrganizations))
	mux.Handle("POST /api/v1/organizations", s.authed(s.createOrganization))
	mux.Handle("GET /api/v1/organizations/{id}", s.authed(s.getOrganization))
	mux.Handle("GET /api/v1/staff", s.authed(s.listStaff))
	mux.Handle("POST /api/v1/staff", s.authed(s.createStaff))
	mux.Handle("GET /api/v1/staff/{id}", s.authed(s.getStaff))

	mux.Handle("GET /api/v1/agreements", s.authed(s.listAgreements))
	mux.Handle("POST /api/v1/agreements", s.authed(s.createAgreement))
	mux.Handle("GET /api/v1/agreements/{id}", s.authed(s.getAgreement))
	mux.Handle("POST /api/v1/agreements/{id}/versions", s.authed(s.amendAgreement))
	mux.Handle("POST /api/v1/agreements/{id}/versions/{version}/signatures", s.authed(s.signAgreement))
	mux.Handle("POST /api/v1/agreements/{id}/versions/{version}/status", s.authed(s.setAgreementStatus))

	mux.Handle("GET /api/v1/clients", s.authed(s.searchClients))
	mux.Handle("POST /api/v1/clients", s.authed(s.createClient))
	mux.Handle("GET /api/v1/clients/{id}", s.authed(s.getClient))
	mux.Handle("GET /api/v1/clients/{id}/records", s.authed(s.listRecords))
	mux.Handle("POST /api/v1/clients/{id}/records", s.authed(s.createRecord))
	mux.Handle("GET /api/v1/clients/{id}/consents", s.authed(s.listConsents))
	mux.Handle("POST /api/v1/clients/{id}/consents", s.authed(s.createConsent))
	mux.Handle("GET /api/v1/clients/{id}/legal-bases", s.authed(s.clientLegalBases))
	mux.Handle("POST /api/v1/clients/{id}/break-glass", s.authed(s.breakGlass))
	mux.Handle("GET /api/v1/clients/{id}/access-report", s.authed(s.accessReport))
	mux.Handle("POST /api/v1/clients/{id}/erase", s.authed(s.eraseClient))

	mux.Handle("POST /api/v1/consents/{id}/revoke", s.authed(s.revokeConsent))
	mux.Handle("GET /api/v1/consents/{id}/receipt", s.authed(s.consentReceipt))

	mux.Handle("GET /api/v1/legal-bases", s.authed(s.listLegalBases))
	mux.Handle("POST /api/v1/legal-bases", s.authed(s.createLegalBasis))

	mux.Handle("POST /api/v1/decisions/explain", s.authed(s.explain))
	mux.Handle("GET /api/v1/policies/local", s.authed(s.getLocalPolicies))
	mux.Handle("PUT /api/v1/policies/local", s.authed(s.putLocalPolicies))

	mux.Handle("GET /api/v1/audit/entries", s.authed(s.auditEntries))
	mux.Handle("GET /api/v1/audit/checkpoint", s.authed(s.auditCheckpoint))
	mux.Handle("GET /api/v1/audit/checkpoints", s.authed(s.auditCheckpoints))
	mux.Handle("GET /api/v1/audit/proofs/inclusion", s.authed(s.inclusionProof))
	mux.Handle("GET /api/v1/audit/proofs/consistency", s.authed(s.consistencyProof))

	mux.Handle("/api/", s.public(s.notFound))
}
