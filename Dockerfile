# syntax=docker/dockerfile:1
# Tributary: one image, the Kafka (9092), ZooKeeper (2181) and HTTP (8080: REST, /ws, /metrics, /ready) listeners.
#
#   docker build -t tributary .
#   docker run -p 9092:9092 -p 2181:2181 -p 8080:8080 -v tributary-data:/var/lib/tributary tributary
#
# Configuration: any setting as TRIBUTARY_<NAME> (TRIBUTARY_LOG_RETENTION_MS=60000, TRIBUTARY_TICKTIME=500), or
# arguments after the image name (-o name=value, --config FILE). JAVA_OPTS goes to the JVM.

# ---- build: the same command as the README's, tests left to CI ----
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

# ---- runtime: a JRE 17, a non-root user, the jar and two scripts ----
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 tributary \
 && useradd --system --uid 10001 --gid tributary --home-dir /var/lib/tributary --shell /usr/sbin/nologin tributary \
 && mkdir -p /opt/tributary/bin /var/lib/tributary \
 && chown tributary:tributary /var/lib/tributary
COPY --from=build /build/target/tributary.jar /opt/tributary/tributary.jar
COPY bin/docker-entrypoint /opt/tributary/bin/docker-entrypoint
COPY bin/docker-healthcheck /opt/tributary/bin/docker-healthcheck
ENV TRIBUTARY_LOG_DIRS=/var/lib/tributary \
    TRIBUTARY_HOST=0.0.0.0 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
WORKDIR /var/lib/tributary
USER tributary:tributary
VOLUME ["/var/lib/tributary"]
EXPOSE 9092 2181 8080
# /ready answers 200 once every part (log, coordination, groups and the three listeners) is up.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/tributary/bin/docker-healthcheck"]
ENTRYPOINT ["/opt/tributary/bin/docker-entrypoint"]
