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
	var rs []route
	for _, group := range [][]route{s.apiRoutes(), s.webRoutes(), s.clientPages(), s.casePages(), s.adminPages(), s.portalPages(), s.grievancePages(), s.oversightPages(), s.anomalyPages(), s.breachRoutes(), s.indicatorPages(), s.retentionRoutes()} {
		rs = append(rs, group...)
	}
	return rs
}

// webRoutes are the pages every staff member uses: sign-in, their work,
// their account. The other page groups are in web_*.go.
func (s *Server) webRoutes() []route {
	return []route{
		{"GET", "/static/{file}", s.publicPage(s.static)},
		{"GET", "/lang/{tag}", s.publicPage(s.setLanguage)},
		{"GET", "/signin", s.publicPage(s.signInPage)},
		{"POST", "/signin", s.publicPage(s.signInSubmit)},
		{"GET", "/signin/code", s.publicPage(s.signInCodePage)},
		{"POST", "/signin/code", s.publicPage(s.signInCodeSubmit)},
		{"POST", "/signout", s.publicPage(s.signOutPage)},
		{"GET", "/work", s.page(s.workPage)},
		{"POST", "/work/notifications/read", s.page(s.readAll)},
		{"GET", "/account", s.page(s.account)},
		{"POST", "/account/purpose", s.page(s.setPurpose)},
		{"POST", "/account/two-step", s.page(s.totpStart)},
		{"POST", "/account/two-step/confirm", s.page(s.totpConfirm)},
		{"POST", "/account/two-step/off", s.page(s.totpOff)},
		{"POST", "/account/sessions/{id}/end", s.page(s.revokeSession)},
	}
}

// apiRoutes are the JSON API, all described in openapi.json.
func (s *Server) apiRoutes() []route {
	return []route{
		{"GET", "/healthz", s.public(s.healthz)},
		{"GET", "/readyz", s.public(s.readyz)},
		{"GET", "/{$}", s.publicPage(s.home)},
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
		{"PATCH", "/api/v1/clients/{id}", s.authed(s.updateClient)},
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
		{"GET", "/api/v1/legal-bases/review-queue", s.authed(s.reviewQueue)},
		{"GET", "/api/v1/oversight/compliance-sample", s.authed(s.complianceSample)},
		{"POST", "/api/v1/legal-bases/{id}/review", s.authed(s.reviewLegalBasis)},
		{"GET", "/api/v1/anomalies", s.authed(s.anomalyQueue)},
		{"POST", "/api/v1/anomalies/detect", s.authed(s.detectAnomalies)},
		{"POST", "/api/v1/anomalies/{id}/review", s.authed(s.reviewAnomaly)},
		{"GET", "/api/v1/anomalies/thresholds", s.authed(s.getAnomalyThresholds)},
		{"PATCH", "/api/v1/anomalies/thresholds", s.authed(s.changeAnomalyThresholds)},
		{"GET", "/api/v1/retention", s.authed(s.retentionPlan)},
		{"POST", "/api/v1/retention/purge", s.authed(s.startRetentionPurge)},

		{"POST", "/api/v1/decisions/explain", s.authed(s.explain)},
		{"GET", "/api/v1/policies/local", s.authed(s.getLocalPolicies)},
		{"PUT", "/api/v1/policies/local", s.authed(s.putLocalPolicies)},

		{"POST", "/api/v1/intake/matches", s.authed(s.findDuplicates)},
		{"POST", "/api/v1/clients/{id}/merge", s.authed(s.mergeClients)},
		{"GET", "/api/v1/clients/{id}/cases", s.authed(s.clientCases)},
		{"GET", "/api/v1/questionnaires", s.authed(s.listQuestionnaires)},
		{"GET", "/api/v1/questionnaires/{id}", s.authed(s.getQuestionnaire)},
		{"POST", "/api/v1/clients/{id}/screenings", s.authed(s.screen)},
		{"GET", "/api/v1/clients/{id}/screenings", s.authed(s.listScreenings)},
		{"POST", "/api/v1/clients/{id}/care-team", s.authed(s.addCareTeam)},
		{"POST", "/api/v1/cases", s.authed(s.openCase)},
		{"GET", "/api/v1/cases/{id}", s.authed(s.getCase)},
		{"POST", "/api/v1/cases/{id}/participants", s.authed(s.updateCase(s.addParticipant))},
		{"POST", "/api/v1/cases/{id}/goals", s.authed(s.updateCase(s.addGoal))},
		{"POST", "/api/v1/cases/{id}/goals/{goal}/status", s.authed(s.updateCase(s.setGoal))},
		{"POST", "/api/v1/cases/{id}/outcomes", s.authed(s.updateCase(s.addOutcome))},
		{"POST", "/api/v1/cases/{id}/close", s.authed(s.updateCase(s.closeCase))},
		{"GET", "/api/v1/cases/{id}/timeline", s.authed(s.caseTimeline)},
		{"GET", "/api/v1/cases/{id}/tasks", s.authed(s.caseTasks)},
		{"POST", "/api/v1/cases/{id}/tasks", s.authed(s.createTask)},
		{"POST", "/api/v1/tasks/{id}/status", s.authed(s.setTaskStatus)},
		{"GET", "/api/v1/cases/{id}/notes", s.authed(s.caseNotes)},
		{"POST", "/api/v1/cases/{id}/notes", s.authed(s.addCaseNote)},
		{"GET", "/api/v1/cases/{id}/conferences", s.authed(s.caseConferences)},
		{"POST", "/api/v1/cases/{id}/conferences", s.authed(s.recordConference)},

		{"POST", "/api/v1/referrals", s.authed(s.sendReferral)},
		{"GET", "/api/v1/referrals", s.authed(s.listReferrals)},
		{"GET", "/api/v1/referrals/{id}", s.authed(s.getReferral)},
		{"POST", "/api/v1/referrals/{id}/status", s.authed(s.setReferralStatus)},

		{"POST", "/api/v1/escalations", s.authed(s.raiseEscalation)},
		{"GET", "/api/v1/escalations", s.authed(s.listEscalations)},
		{"GET", "/api/v1/escalations/{id}", s.authed(s.getEscalation)},
		{"POST", "/api/v1/escalations/{id}/acknowledge", s.authed(s.acknowledgeEscalation)},
		{"POST", "/api/v1/escalations/{id}/resolve", s.authed(s.resolveEscalation)},
		{"GET", "/api/v1/organizations/{id}/escalation-contacts", s.authed(s.getEscalationContacts)},
		{"PUT", "/api/v1/organizations/{id}/escalation-contacts", s.authed(s.putEscalationContacts)},
		{"PUT", "/api/v1/organizations/{id}/webhook", s.authed(s.putWebhook)},

		{"GET", "/api/v1/directory/services", s.authed(s.listServices)},
		{"POST", "/api/v1/directory/services", s.authed(s.createService)},

		{"GET", "/api/v1/me/work", s.authed(s.myWork)},
		{"POST", "/api/v1/me/notifications/read", s.authed(s.readNotifications)},

		{"GET", "/api/v1/audit/entries", s.authed(s.auditEntries)},
		{"GET", "/api/v1/audit/checkpoint", s.authed(s.auditCheckpoint)},
		{"GET", "/api/v1/audit/checkpoints", s.authed(s.auditCheckpoints)},
		{"GET", "/api/v1/audit/proofs/inclusion", s.authed(s.inclusionProof)},
		{"GET", "/api/v1/audit/proofs/consistency", s.authed(s.consistencyProof)},
		{"POST", "/api/v1/audit/cosignatures", s.authed(s.addCosignature)},
	}
}
