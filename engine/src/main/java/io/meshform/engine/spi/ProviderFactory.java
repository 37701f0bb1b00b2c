package io.meshform.engine.spi;

import java.util.List;

/**
 * Found through {@code META-INF/services}; the CLI hands it the connection settings. One factory may create
 * several providers that share a connection.
 */
public interface ProviderFactory {

    List<Provider> create(ProviderSettings settings);
}
