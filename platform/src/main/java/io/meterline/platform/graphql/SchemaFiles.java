package io.meterline.platform.graphql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Finds every {@code graphql/*.graphqls} on the class path (the graphql-schema module), in name order. */
final class SchemaFiles {

    private static final String FOLDER = "graphql";

    private SchemaFiles() {
    }

    /** File name to content. */
    static Map<String, String> load() {
        Map<String, String> files = new TreeMap<>();
        try {
            Enumeration<URL> roots = SchemaFiles.class.getClassLoader().getResources(FOLDER);
            for (URL root : Collections.list(roots)) {
                URI uri = root.toURI();
                if ("jar".equals(uri.getScheme())) {
                    FileSystem fileSystem;
                    try {
                        fileSystem = FileSystems.newFileSystem(uri, Map.of());
                    }
                    catch (FileSystemAlreadyExistsException e) {
                        fileSystem = FileSystems.getFileSystem(uri);
                    }
                    read(fileSystem.provider().getPath(uri), files);
                }
                else {
                    read(Path.of(uri), files);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("No graphql/*.graphqls on the class path: is meterline-graphql-schema missing?");
        }
        return files;
    }

    private static void read(Path folder, Map<String, String> files) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> list = Files.list(folder)) {
            list.filter(path -> path.getFileName().toString().endsWith(".graphqls")).forEach(paths::add);
        }
        for (Path path : paths) {
            try (InputStream in = Files.newInputStream(path)) {
                files.putIfAbsent(path.getFileName().toString(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }
}
