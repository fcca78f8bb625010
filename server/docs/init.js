// Both embedded specs, served by this emulator with itself as the first server: "Try it
// out" sends requests to it. The
// validator badge is off: it would send the spec to an online service.
window.ui = SwaggerUIBundle({
  urls: [
    { url: "../openapi/roma-apic.json?servers=self", name: "ROMA Connect APIC (roma-apic)" },
    { url: "../openapi/apig.json?servers=self", name: "Legacy shared APIG (apig)" },
  ],
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
});
