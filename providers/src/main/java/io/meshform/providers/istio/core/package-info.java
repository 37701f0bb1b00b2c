/**
 * What every room of the Istio provider shares: the names ({@link io.meshform.providers.istio.core.Mesh}: resource
 * types, istio-system, the root namespace, API groups), the istioctl runner and Istio release numbers. Depends on no
 * other room.
 */
package io.meshform.providers.istio.core;
