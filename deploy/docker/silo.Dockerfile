# The OrleansLog broker (one silo) with the orleanslog CLI beside it (the migration Job runs `db migrate`).
# Build from the repository root: docker build -f deploy/docker/silo.Dockerfile -t orleanslog/silo .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/OrleansLog.Silo/OrleansLog.Silo.csproj -c Release -o /out/silo \
 && dotnet publish src/OrleansLog.Cli/OrleansLog.Cli.csproj -c Release -o /out/cli

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out/silo /app
COPY --from=build /out/cli /app/cli
# Workstation GC, as the broker's build sets it (set DOTNET_gcServer=1 on a pod with many cores to trade memory for GC threads).
# The image's non-root user (uid 1654); the data directory is the pod's volume, writable through fsGroup.
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    OrleansLog__Kafka__ListenAddress=0.0.0.0 \
    OrleansLog__DataDirectory=/var/lib/orleanslog
RUN mkdir -p /var/lib/orleanslog && chown 1654:1654 /var/lib/orleanslog
USER 1654
VOLUME /var/lib/orleanslog
# 11111 silo-to-silo, 30000 Orleans gateway (clients, CLI), 8080 HTTP (REST API, console, /metrics, health), 9092 Kafka clients.
EXPOSE 11111 30000 8080 9092
ENTRYPOINT ["dotnet", "/app/OrleansLog.Silo.dll"]
