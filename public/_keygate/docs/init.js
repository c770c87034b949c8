// Starts Swagger UI on keygate's own OpenAPI document; no validator badge (it would call out).
window.ui = SwaggerUIBundle({
  url: '/_keygate/openapi.json',
  dom_id: '#swagger-ui',
  validatorUrl: null,
  deepLinking: true,
  persistAuthorization: false,
});
