package web

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3 document of the JSON API. Every area adds its
// endpoints to it; TestOpenAPIDocumentsRoutes checks the list.
//
//go:embed openapi.json
var openAPI []byte

// apiDocRoutes serves /api/v1/openapi.json and the reference page made
// from it (接口说明, routes_apiref.go).
func (s *Server) apiDocRoutes() []route {
	return []route{
		{"GET /api/v1/openapi.json", s.openAPIDoc},
		{"GET /help/api", s.apiReference},
	}
}

func (s *Server) openAPIDoc(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	if s.apiDoc == nil { // a Server made without New, in tests
		w.Write(openAPI)
		return
	}
	w.Write(s.apiDoc)
}
