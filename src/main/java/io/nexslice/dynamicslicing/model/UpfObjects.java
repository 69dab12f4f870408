package io.nexslice.dynamicslicing.model;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Service;

/** The objects that make up one UPF, as desired or as found. */
public record UpfObjects(V1Deployment deployment, V1Service service) {}
