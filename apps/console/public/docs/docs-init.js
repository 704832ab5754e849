// Swagger UI over the gateway's own OpenAPI document; "Authorize" takes an API key or an OIDC token.
window.SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
