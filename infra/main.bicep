// EduRelief on Azure: a Linux Function App (custom handler) with its storage account, a user-assigned managed
// identity holding only the data roles it needs, Key Vault for its secrets, and Application Insights on Log Analytics.
// Nothing here names a cloud's endpoints: the storage suffix and the authority host are parameters (defaulting to
// the cloud the deployment runs in), so the same templates deploy to Azure global and Azure China.
targetScope = 'resourceGroup'

@description('Region of every resource.')
param location string = resourceGroup().location

@description('Environment name, part of every resource name (e.g. test, prod).')
@minLength(2)
@maxLength(8)
param environmentName string

@description('The county\'s six-digit administrative division code, e.g. 410726.')
@minLength(6)
@maxLength(6)
param countyCode string

@description('FlexConsumption (default) or ElasticPremium for regions and clouds without Flex Consumption (e.g. Azure China).')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param planKind string = 'FlexConsumption'

@description('The cloud\'s storage endpoint suffix: core.chinacloudapi.cn in Azure China.')
param storageSuffix string = environment().suffixes.storage

@description('The cloud\'s Microsoft Entra authority host, without scheme: login.chinacloudapi.cn in Azure China.')
param authorityHost string = replace(replace(environment().authentication.loginEndpoint, 'https://', ''), '/', '')

@description('Staff sign-in with Entra ID: the directory (tenant) id. Empty leaves sign-in to API keys only.')
param entraTenantId string = ''

@description('The API\'s app registration: its application id URI or client id, the audience of staff tokens.')
param entraAudience string = ''

@description('The web console\'s single-page-app registration (redirect URI https://<app host>/console/). Empty hides the Entra button.')
param consoleClientId string = ''

@description('True (the default): the app and the host reach storage with the managed identity (AzureWebJobsStorage__* settings) and shared-key access is turned off. False only for a deployment that must use a connection string, kept in Key Vault.')
param identityBasedStorage bool = true

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param storageSku string = 'Standard_LRS'

@description('Purge protection on the Key Vault (cannot be turned off again).')
param keyVaultPurgeProtection bool = true

@description('The sender address of EduRelief\'s email.')
param mailFrom string

@description('NCRONTAB (UTC) of functions/Reminders; 0 0 1 * * * is 09:00 China time.')
param reminderSchedule string = '0 0 1 * * *'

@description('NCRONTAB (UTC) of functions/WorkflowSweep.')
param sweepSchedule string = '*/5 * * * * *'

@description('The workflow step queue that functions/WorkflowSteps listens on.')
param stepsQueue string = 'steps'

param tags object = {}

var suffix = '${environmentName}-${countyCode}'
var unique = uniqueString(resourceGroup().id, environmentName, countyCode)
var allTags = union(tags, {
  application: 'edurelief'
  environment: environmentName
  county: countyCode
})

// Key Vault secret names; the operator sets the values after deployment (infra/README.md).
var secretNames = {
  adminKey: 'admin-key'
  childIdSecret: 'child-id-secret'
  hotlineSecret: 'hotline-secret'
  sendGridKey: 'sendgrid-key'
  storageConnection: 'storage-connection'
}
var keyVaultName = take('kv-edurelief-${unique}', 24)

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-edurelief-${suffix}'
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: 'log-edurelief-${suffix}'
    appInsightsName: 'appi-edurelief-${suffix}'
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('stedurelief${unique}', 24)
    location: location
    tags: allTags
    skuName: storageSku
    allowSharedKeyAccess: !identityBasedStorage
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: keyVaultName
    location: location
    tags: allTags
    enablePurgeProtection: keyVaultPurgeProtection
    storageAccountName: storage.outputs.name
    storeStorageConnection: !identityBasedStorage
    storageSuffix: storageSuffix
    storageConnectionSecretName: secretNames.storageConnection
    workspaceId: monitoring.outputs.workspaceId
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
  }
}

module plan 'modules/plan.bicep' = {
  name: 'plan'
  params: {
    name: 'plan-edurelief-${suffix}'
    location: location
    tags: allTags
    planKind: planKind
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  dependsOn: [
    roles // the identity must hold its roles before the host starts reading storage and Key Vault
  ]
  params: {
    name: 'func-edurelief-${suffix}-${take(unique, 6)}'
    location: location
    tags: allTags
    planId: plan.outputs.id
    planKind: planKind
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    keyVaultName: keyVault.outputs.name
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    storageSuffix: storageSuffix
    authorityHost: authorityHost
    identityBasedStorage: identityBasedStorage
    storageConnectionSecretName: secretNames.storageConnection
    edureliefSettings: {
      EDURELIEF_ADMIN_KEY: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.adminKey})'
      EDURELIEF_HOTLINE_SECRET: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.hotlineSecret})'
      EDURELIEF_CHILD_ID_SECRET: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.childIdSecret})'
      EDURELIEF_SENDGRID_KEY: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.sendGridKey})'
      EDURELIEF_MAIL_FROM: mailFrom
      EDURELIEF_REMINDER_SCHEDULE: reminderSchedule
      EDURELIEF_SWEEP_SCHEDULE: sweepSchedule
      EDURELIEF_STEPS_QUEUE: stepsQueue
      // Empty tenant and audience leave Entra sign-in off (the app reads blank settings as unset).
      EDURELIEF_ENTRA_TENANT_ID: entraTenantId
      EDURELIEF_ENTRA_AUDIENCE: entraAudience
      EDURELIEF_ENTRA_AUTHORITY_HOST: 'https://${authorityHost}'
      EDURELIEF_ENTRA_CONSOLE_CLIENT_ID: consoleClientId
    }
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output storageAccountName string = storage.outputs.name
output packageContainerName string = storage.outputs.deploymentContainerName
output keyVaultName string = keyVault.outputs.name
output identityClientId string = identity.outputs.clientId
