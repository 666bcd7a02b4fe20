package http

import "net/http"

// routes is the one table of every endpoint. Routes that touch client data
// require an Accord-Purpose header (purposeOf); every route under /api/v1
// is described in openapi.json, and a test holds the two together.
func (s *Server) routes(mux *http.ServeMux) {
	for _, rt := range s.routeTable() {
		mux.Handle(rt.method+" "+rt.path, rt.h)
	}
}

// route is one endpoint.
type route struct {
	method, path string
	h            http.Handler
}

func (s *Server) routeTable() []route {
	return []route{
		{"GET", "/healthz", s.public(s.healthz)},
		{"GET", "/readyz", s.public(s.readyz)},
		{"GET", "/{$}", s.public(s.home)},
		{"GET", "/api/v1/openapi.json", s.public(s.openAPI)},

		{"POST", "/api/v1/sessions", s.public(s.signIn)},
		{"DELETE", "/api/v1/sessions/current", s.authed(s.signOut)},
		{"GET", "/api/v1/me", s.authed(s.me)},

		{"GET", "/api/v1/organizations", s.authed(s.listOrganizations)},
		{"POST", "/api/v1/organizations", s.authed(s.createOrganization)},
		{"GET", "/api/v1/organizations/{id}", s.authed(s.getOrganization)},
		{"GET", "/api/v1/staff", s.authed(s.listStaff)},
		{"POST", "/api/v1/staff", s.authed(s.createStaff)},
		{"GET", "/api/v1/staff/{id}", s.authed(s.getStaff)},

		{"GET", "/api/v1/agreements", s.authed(s.listAgreements)},
		{"POST", "/api/v1/agreements", s.authed(s.createAgreement)},
		{"GET", "/api/v1/agreements/{id}", s.authed(s.getAgreement)},
		{"POST", "/api/v1/agreements/{id}/versions", s.authed(s.amendAgreement)},
		{"POST", "/api/v1/agreements/{id}/versions/{version}/signatures", s.authed(s.signAgreement)},
		{"POST", "/api/v1/agreements/{id}/versions/{version}/status", s.authed(s.setAgreementStatus)},

		{"GET", "/api/v1/clients", s.authed(s.searchClients)},
		{"POST", "/api/v1/clients", s.authed(s.createClient)},
		{"GET", "/api/v1/clients/{id}", s.authed(s.getClient)},
		{"GET", "/api/v1/clients/{id}/records", s.authed(s.listRecords)},
		{"POST", "/api/v1/clients/{id}/records", s.authed(s.createRecord)},
		{"GET", "/api/v1/clients/{id}/consents", s.authed(s.listConsents)},
		{"POST", "/api/v1/clients/{id}/consents", s.authed(s.createConsent)},
		{"GET", "/api/v1/clients/{id}/legal-bases", s.authed(s.clientLegalBases)},
		{"POST", "/api/v1/clients/{id}/break-glass", s.authed(s.breakGlass)},
		{"GET", "/api/v1/clients/{id}/access-report", s.authed(s.accessReport)},
		{"POST", "/api/v1/clients/{id}/erase", s.authed(s.eraseClient)},

		{"POST", "/api/v1/consents/{id}/revoke", s.authed(s.revokeConsent)},
		{"GET", "/api/v1/consents/{id}/receipt", s.authed(s.consentReceipt)},

		{"GET", "/api/v1/legal-bases", s.authed(s.listLegalBases)},
		{"POST", "/api/v1/legal-bases", s.authed(s.createLegalBasis)},

		{"POST", "/api/v1/decisions/explain", s.authed(s.explain)},
		{"GET", "/api/v1/policies/local", s.authed(s.getLocalPolicies)},
		{"PUT", "/api/v1/policies/local", s.authed(s.putLocalPolicies)},

		{"GET", "/api/v1/audit/entries", s.authed(s.auditEntries)},
		{"GET", "/api/v1/audit/checkpoint", s.authed(s.auditCheckpoint)},
		{"GET", "/api/v1/audit/checkpoints", s.authed(s.auditCheckpoints)},
		{"GET", "/api/v1/audit/proofs/inclusion", s.authed(s.inclusionProof)},
		{"GET", "/api/v1/audit/proofs/consistency", s.authed(s.consistencyProof)},
	}
}
