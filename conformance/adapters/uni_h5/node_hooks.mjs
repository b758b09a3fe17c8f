// Module resolution hook for node_driver.mjs (node:module register()).  The uni-app x Web build
// resolves the bare specifier `vue` to DCloud's own Vue build, @dcloudio/uni-h5-vue (its
// dist-x flavour); Node would find npm `vue` instead, so `vue` is redirected.  Nothing else is.
let vueUrl = null;

export function initialize(data) {
  vueUrl = data.vueUrl;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'vue' && vueUrl !== null) return { url: vueUrl, shortCircuit: true };
  return nextResolve(specifier, context);
}
