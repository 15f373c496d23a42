// The Function App: EduRelief as a custom handler on Linux, running as the user-assigned identity, reading its
// secrets through Key Vault references, HTTPS only with TLS 1.2 and no FTP or basic publishing credentials.
param name string
param location string
param tags object
param planId string

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param planKind string

param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param keyVaultName string
@description('Application Insights connection string (an ingestion endpoint and key, not a secret).')
param appInsightsConnectionString string

@description('The storage endpoint suffix of the cloud, e.g. core.chinacloudapi.cn in Azure China.')
param storageSuffix string

@description('The Microsoft Entra authority host of the cloud, e.g. login.chinacloudapi.cn in Azure China.')
param authorityHost string

@description('True once the app reads identity-based storage settings (see infra/README.md); false passes a Key Vault-held connection string.')
param identityBasedStorage bool

param storageConnectionSecretName string

@description('Settings of EduRelief itself (EDURELIEF_*), merged over the platform settings.')
param edureliefSettings object

@description('Flex Consumption: most instances, and memory of each.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

var flex = planKind == 'FlexConsumption'
var blobServiceUri = 'https://${storageAccountName}.blob.${storageSuffix}'
var packageContainerUri = '${blobServiceUri}/${deploymentContainerName}'

// The Functions host's storage. Identity-based when the app can read it; until then a Key Vault reference to the
// connection string (the app's AppSettings.Read takes AzureWebJobsStorage as a connection string only).
var storageSettings = identityBasedStorage
  ? {
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AzureWebJobsStorage__blobServiceUri: blobServiceUri
      AzureWebJobsStorage__queueServiceUri: 'https://${storageAccountName}.queue.${storageSuffix}'
      AzureWebJobsStorage__tableServiceUri: 'https://${storageAccountName}.table.${storageSuffix}'
    }
  : {
      AzureWebJobsStorage: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${storageConnectionSecretName})'
    }

// Elastic Premium runs the zip from the package container (read with the identity), without an Azure Files share.
// Flex Consumption takes its runtime and package from functionAppConfig instead and refuses these settings.
var premiumSettings = flex
  ? {}
  : {
      FUNCTIONS_EXTENSION_VERSION: '~4'
      FUNCTIONS_WORKER_RUNTIME: 'custom'
      WEBSITE_RUN_FROM_PACKAGE: '${packageContainerUri}/edurelief.zip'
      WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identityId
    }

var platformSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  AZURE_CLIENT_ID: identityClientId
  AZURE_AUTHORITY_HOST: 'https://${authorityHost}/'
  // Roster uploads are up to 256 MiB; the app allows 64 KiB more for the multipart envelope (256 MiB + 64 KiB).
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '268500992'
}

var appSettings = union(platformSettings, storageSettings, premiumSettings, edureliefSettings)

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: planId
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    functionAppConfig: flex
      ? {
          deployment: {
            storage: {
              type: 'blobContainer'
              value: packageContainerUri
              authentication: {
                type: 'UserAssignedIdentity'
                userAssignedIdentityResourceId: identityId
              }
            }
          }
          scaleAndConcurrency: {
            maximumInstanceCount: maximumInstanceCount
            instanceMemoryMB: instanceMemoryMB
          }
          runtime: {
            name: 'custom'
            version: '1.0'
          }
        }
      : null
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      remoteDebuggingEnabled: false
      appSettings: [
        for setting in items(appSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
  }
}

resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
