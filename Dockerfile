# dynamic-slicing controller image.
# Build: docker build -t dynamic-slicing:dev .

# ---- Stage 1: build the shaded runnable jar -------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build

# Copy only the POM first and resolve dependencies/plugins, so this layer is
# cached and reused as long as pom.xml does not change (source edits only
# re-run the package step below).
COPY pom.xml .
RUN mvn -B -q dependency:go-offline

COPY src ./src
# Tests are skipped here: the integration tests need a running Kubernetes API
# server, which an image build does not have. CI runs them (mvn -B verify).
RUN mvn -B -q -DskipTests package

# ---- Stage 2: minimal runtime ---------------------------------------------
# Distroless: only the JRE and its runtime libraries - no shell, no package
# manager - which shrinks the attack surface and the CVE count. The :nonroot
# variant already defines user 65532 ("nonroot").
FROM gcr.io/distroless/java17-debian12:nonroot

WORKDIR /app
COPY --from=build /build/target/dynamic-slicing.jar /app/dynamic-slicing.jar

# Class-data sharing: a training run stores the classes start-up loads in an archive the JVM maps
# instead of loading and verifying them one by one: about a second of start-up on two cores
# (docs/BENCHMARKS.md, P5). No cluster is needed: it starts the controller against a loopback
# socket that hangs up (informers, the TLS hello, one apply), then decodes made-up objects; a
# failure there only makes a smaller archive. Made here, by this image's own JVM, the only one
# that can use it; a missing or mismatched archive is ignored with a warning, never fatal.
RUN ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ArchiveClassesAtExit=/app/dynamic-slicing.jsa", "-jar", "/app/dynamic-slicing.jar", "--train-class-data-sharing"]

# Numeric UID:GID so Kubernetes can verify runAsNonRoot without resolving a
# user name from /etc/passwd.
USER 65532:65532

# HTTP server: /healthz, /readyz, /metrics, /api/* (env HTTP_PORT, default 8080).
EXPOSE 8080

# -XX:+UseSerialGC             a controller has a small heap and one or two cores: the
#                              serial collector has the smallest footprint (docs/BENCHMARKS.md, P3).
# -XX:TieredStopAtLevel=1      C1 only, no C2: the controller waits on the API server (0.3 of a
#                              core in a 500-UE burst) and C2 compiling its hot paths took more
#                              CPU than the work itself: 12 s against 5.5 s in P2, and start-up
#                              on 5 000 UEs 5.4-5.8 s against 3.8-4.4 s (docs/BENCHMARKS.md).
# -XX:SharedArchiveFile        the class-data archive made above.
# -XX:MaxRAMPercentage=75      size the heap from the container memory limit,
#                              leaving headroom for metaspace, threads, buffers.
# -XX:+ExitOnOutOfMemoryError  die on OOM so Kubernetes restarts the pod instead
#                              of leaving a half-broken controller running.
# -XX:-UsePerfData             do not write the hsperfdata mmap file under /tmp;
#                              keeps the JVM working with a read-only root
#                              filesystem (readOnlyRootFilesystem: true).
# -Djava.io.tmpdir=/tmp        explicit temp dir; mount an emptyDir at /tmp when
#                              the root filesystem is read-only.
# Exec (JSON) form is required: distroless has no /bin/sh.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=/app/dynamic-slicing.jsa", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-Djava.io.tmpdir=/tmp", "-jar", "/app/dynamic-slicing.jar"]
